"""The media award demo's recordings are real media: Chromium decodes the radio
work's MP3 (two seconds of silence) and plays the television work's MP4 (colour
bars, 128x96, three seconds) to its end."""

from __future__ import annotations

import base64

from contest.demo_media_files import colour_bars_mp4, silent_mp3


def _data_url(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def test_chromium_decodes_the_demo_recordings(browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content("<canvas width='128' height='96'></canvas>")
        audio = page.evaluate(
            """async (url) => {
                const bytes = await (await fetch(url)).arrayBuffer();
                const decoded = await new OfflineAudioContext(1, 48000, 48000).decodeAudioData(bytes);
                return {seconds: decoded.duration, loudest: Math.max(...decoded.getChannelData(0).map(Math.abs))};
            }""",
            _data_url("audio/mpeg", silent_mp3()),
        )
        assert abs(audio["seconds"] - 2) < 0.1 and audio["loudest"] == 0
        video = page.evaluate(
            """(url) => new Promise((resolve, reject) => {
                const video = document.createElement('video');
                video.muted = true;
                video.onerror = () => reject(new Error('video error ' + (video.error && video.error.code)));
                video.onloadeddata = () => video.play();
                video.onended = () => {
                    const canvas = document.querySelector('canvas').getContext('2d');
                    canvas.drawImage(video, 0, 0);
                    const pixel = (x, y) => Array.from(canvas.getImageData(x, y, 1, 1).data).slice(0, 3);
                    resolve({width: video.videoWidth, height: video.videoHeight, seconds: video.duration,
                             frames: video.getVideoPlaybackQuality().totalVideoFrames,
                             first: pixel(5, 10), last: pixel(120, 10)});
                };
                video.src = url;
            })""",
            _data_url("video/mp4", colour_bars_mp4()),
        )
        assert (video["width"], video["height"], video["seconds"], video["frames"]) == (128, 96, 3, 3)

        def near(seen, colour):
            return all(abs(a - b) <= 3 for a, b in zip(seen, colour, strict=True))

        assert near(video["first"], (192, 192, 192)) and near(video["last"], (0, 0, 192)), video
    finally:
        context.close()
