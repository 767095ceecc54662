// The project's root folder, for the files the service reads at start (schema.sql, web assets).
// It is found from this module's own URL, which is src/root.ts when run from source (tsx, vitest)
// and dist/main.mjs when run from the bundle (scripts/build.mjs): both sit one level below the
// root, so '../' is the root either way. Keep this file directly in src/.
export const ROOT_URL = new URL('../', import.meta.url);
