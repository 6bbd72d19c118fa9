// ESLint for the site's own browser scripts, the apps' static/ folders: ES modules the
// browser runs as they are, with no build step. Third-party files are not ours to fix.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import globals from "globals";
import { fileURLToPath } from "node:url";

// This file lives in .ci/js/ (the top level of the repository is fixed); its patterns
// start from the repository's root.
const basePath = fileURLToPath(new URL("../..", import.meta.url));

export default defineConfig([
  {
    basePath,
    ignores: ["**/node_modules/", ".venv/", "var/", "**/static/**/vendor/", "**/swagger-ui*"],
  },
  {
    basePath,
    files: ["*/static/**/*.js"],
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: globals.browser,
    },
    rules: {
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-unused-vars": ["error", { args: "none" }],
    },
  },
]);
