// Builds the renderer (src-renderer) into dist/renderer; the production HTML carries the same CSP main sends as a header.
import vue from '@vitejs/plugin-vue';
import { defineConfig, type Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY } from './src-main/app/csp';

/** Only on build: Vite's dev server needs inline scripts the policy forbids. */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'lobby-csp',
    apply: 'build',
    transformIndexHtml: (html) =>
      html.replace('<!-- csp -->', `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`),
  };
}

export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [vue(), contentSecurityPolicy()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome130',
    // One small app: no inlined assets, so nothing needs `data:` beyond what the CSP allows.
    assetsInlineLimit: 0,
  },
});
