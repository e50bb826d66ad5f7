// Lint for the web app: TypeScript's strict type-aware rules and React's
// hook rules. Prettier does the formatting (npm run lint checks both).
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist", "node_modules"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: {
        projectService: { allowDefaultProject: ["eslint.config.js"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // Props are declared with method syntax (`onClose(): void`) and passed around as callbacks.
      "@typescript-eslint/unbound-method": "off",
      // `onClick={() => setX(1)}` is the idiom of React handlers.
      "@typescript-eslint/no-confusing-void-expression": "off",
      // Warns that React Compiler would skip TanStack Virtual's hooks; this app does not use the compiler.
      "react-hooks/incompatible-library": "off",
    },
  },
  { files: ["eslint.config.js"], ...tseslint.configs.disableTypeChecked },
);
