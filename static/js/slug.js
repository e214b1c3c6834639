// The new competition's web address, proposed from its name as it is typed
// (the same rule as contest.domain.competitions.slugify: Vietnamese marks
// dropped, đ → d, one dash between words). Once the address is edited by
// hand it is left alone; emptied, it follows the name again.
(() => {
  const form = document.querySelector("form[data-slug-from]");
  if (!form) { return; }
  const name = form.elements[form.dataset.slugFrom];
  const slug = form.elements[form.dataset.slugTo];
  if (!name || !slug) { return; }
  const slugify = (text) => {
    const words = text.replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFKD")
      .replace(/\p{M}/gu, "").toLowerCase().match(/[a-z0-9]+/g) || [];
    return words.join("-").slice(0, 80).replace(/-+$/, "");
  };
  let edited = slug.value !== "" && slug.value !== slugify(name.value);
  name.addEventListener("input", () => { if (!edited) { slug.value = slugify(name.value); } });
  slug.addEventListener("input", () => { edited = slug.value !== ""; });
})();
