// The production build served by `quantatom serve --web web/dist`. JSX is
// compiled by esbuild (tsconfig "jsx": "react-jsx"), so no plugin is needed.
// `npm run dev` proxies the API to a server on QA_SERVER (default :8080).
import { defineConfig } from "vite";

const server = process.env.QA_SERVER ?? "http://127.0.0.1:8080";

export default defineConfig({
  build: {
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      "/api": { target: server, ws: true },
    },
  },
});
