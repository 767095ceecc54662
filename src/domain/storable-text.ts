// Text a column holds the same on both backends. PostgreSQL's text cannot hold U+0000 (an insert
// fails there, where SQLite stores it), and UTF-8 cannot hold an unpaired surrogate (PostgreSQL
// stores U+FFFD in its place, SQLite other bytes, so two texts differing only there are one on
// PostgreSQL). A pair (an emoji) is one character and is storable. Without the `u` flag the
// patterns read UTF-16 code units, which is what a surrogate is. The network schemas, clearing
// records and the middleware in front of every other route (http/middleware/storable-text.ts)
// refuse such text with these rules and these messages.
export const NO_NUL = /^[^\u0000]*$/;
export const NO_UNPAIRED_SURROGATE = /^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;

export const NUL_MESSAGE = 'must not contain U+0000';
export const UNPAIRED_SURROGATE_MESSAGE = 'must not contain an unpaired surrogate';
