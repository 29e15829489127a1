// The renderer's Content Security Policy, one string for both the index.html meta tag (injected at build) and the app:// response header.
// No eval, no inline script, no remote anything: the page only talks to main through the preload (and, in browser tests, its own origin's socket).
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');
