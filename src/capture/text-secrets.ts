/** Decides whether a `name=value` pair's value is a secret, by its name. */
export type NamePredicate = (name: string) => boolean;

// Text without `=`, `@` or the word bearer holds none of the patterns below and is returned as is.
const MAYBE_SECRET = /[=@]|bearer/i;
// A password in a URL's user information: scheme://user:password@host.
const URL_PASSWORD = /(\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:@/]*):[^\s@/]+@/g;
// An RFC 6750 bearer token; 8 characters at least, so that prose such as "bearer token missing" reads on.
const BEARER = /\b(bearer)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi;
// `name=value` as in query strings, form bodies and configuration dumps; the value ends at a separator.
const PAIR = /([A-Za-z0-9_.\-[\]]+)=([^\s&;,#"'<>]+)/g;

/**
 * A redactor for free text (`error_message`, `resource`) that replaces the secrets that are unambiguous
 * in it: a URL's password, a bearer token, and the value of a `name=value` pair whose name is sensitive
 * (`token=…`, `password=…`, `X-Amz-Signature=…`).
 */
export function compileTextRedactor(isSensitive: NamePredicate): (text: string) => string {
  const pair = (whole: string, name: string) => (isSensitive(name) ? `${name}=[REDACTED]` : whole);
  return (text) => {
    if (!MAYBE_SECRET.test(text)) return text;
    return text.replace(URL_PASSWORD, '$1:[REDACTED]@').replace(BEARER, '$1 [REDACTED]').replace(PAIR, pair);
  };
}
