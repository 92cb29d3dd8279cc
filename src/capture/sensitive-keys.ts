/**
 * Names whose values are always redacted, wherever they appear in a body or query string. A name matches
 * a key when some run of the key's words spells it, in the singular or with a plural `s`: `password`
 * catches `Password`, `user_password`, `passwords`; `api_key` catches `apiKey`, `x-api-key`, `apiKeys`.
 * Whole words only, so `classname` is clear of `ssn` and `author` of `auth`. `redactKeys` adds to this
 * list, never replaces it.
 */
export const DEFAULT_SENSITIVE_KEYS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'api_key',
  'private_key',
  'jwt',
  'bearer',
  'auth',
  'authorization',
  'credential',
  'cookie',
  'session',
  'sid',
  'signature',
  'otp',
  'pin',
  'ssn',
  'social_security_number',
  'credit_card',
  'card_number',
  'cvv',
  'cvc',
]);

/**
 * Names redacted in the query string only, on top of DEFAULT_SENSITIVE_KEYS: there they carry an OAuth
 * authorization `code` or a URL signature (`sig`); in a body they are as often an error code or a label.
 * `X-Amz-Signature` and `session` are caught by `signature` and `session` above.
 */
export const DEFAULT_SENSITIVE_QUERY_KEYS: readonly string[] = Object.freeze(['code', 'sig']);
