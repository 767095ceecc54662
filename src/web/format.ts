// Amounts and names inside the pages' plain strings (attributes, dictionary texts): the same
// direction isolation and no-break spaces as the texts the API serves, defined with them.
export { isolate, kd, named } from '../domain/texts/isolate.js';
