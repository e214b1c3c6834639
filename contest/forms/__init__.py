"""WTForms forms. Labels and messages are lazy strings, translated per request."""
