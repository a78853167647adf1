#!/usr/bin/env python3
"""Trunk post-build hook: make dist/index.html run under a strict CSP.

Trunk writes an inline module script that loads the wasm. A strict
Content-Security-Policy (script-src 'self') blocks inline scripts, and the
`integrity` of trunk's wasm preload is not checked by the browser for the
fetch that actually instantiates the module. So this hook:

1. moves the loader into its own file, `loader-<hash>.js`, referenced with
   `integrity`, and
2. makes that loader check the wasm's SHA-384 before running it: a changed
   wasm is not run, and the page says so. The page preloads the wasm, and
   the loader compiles it while it streams in (compiling runs nothing);
   it is instantiated only once its bytes are checked;
3. writes the analysis worker's script, `worker-<hash>.js`: it runs the
   same wasm, compiled and checked by the loader, which hands the module
   to the worker (src/worker.rs), so nothing is fetched or checked twice;
4. puts the policy in a <meta> tag (the directives a meta tag can carry;
   frame-ancestors only works as a header, see docs/hosting.md).

Idempotent: a page without the inline loader is left alone.
Usage: postbuild.py DIR (default: $TRUNK_STAGING_DIR).
"""
import base64
import hashlib
import os
import re
import sys

POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; "
    "connect-src 'self' https: http://127.0.0.1:* http://localhost:*; "
    "object-src 'none'; base-uri 'self'; form-action 'none'"
)


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def main() -> int:
    out = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TRUNK_STAGING_DIR", "dist")
    index = os.path.join(out, "index.html")
    with open(index, encoding="utf-8") as f:
        html = f.read()
    m = re.search(r'<script type="module">(.*?)</script>', html, re.S)
    if not m:
        print("postbuild: no inline loader; nothing to do")
        return 0
    inline = m.group(1)
    js = re.search(r"from '(\./[^']+\.js)'", inline).group(1)
    wasm = re.search(r"module_or_path: '(\./[^']+\.wasm)'", inline).group(1)
    with open(os.path.join(out, wasm[2:]), "rb") as f:
        wasm_sri = sri(f.read())
    worker = f"""// The analysis worker (written by scripts/postbuild.py; see src/worker.rs).
// It runs the app's own wasm: the page's loader compiled and checked it, and
// sends the compiled module first. Every later message is a request.
import init, {{ whoserves_worker_message }} from '{js}';
let ready = null;
self.onmessage = (e) => {{
  if (e.data && e.data.module) {{
    ready = init({{ module_or_path: e.data.module }});
    return;
  }}
  ready.then(() => whoserves_worker_message(e.data));
}};
"""
    worker_data = worker.encode()
    worker_name = f"worker-{hashlib.sha256(worker_data).hexdigest()[:16]}.js"
    with open(os.path.join(out, worker_name), "wb") as f:
        f.write(worker_data)
    loader = f"""// Loads the app's wasm after checking its SHA-384 (written by scripts/postbuild.py).
import init, * as bindings from '{js}';
const WASM = new URL('{wasm}', import.meta.url);
const INTEGRITY = '{wasm_sri}';
const response = await fetch(WASM);
// Compiling runs none of the code, so it starts while the bytes arrive
// (from the page's preload); the module runs only once they are checked.
const compiling = (WebAssembly.compileStreaming
  ? WebAssembly.compileStreaming(response.clone())
  : Promise.reject(new Error('no streaming compile'))).catch(() => null);
const bytes = await response.arrayBuffer();
if (globalThis.crypto && crypto.subtle) {{
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-384', bytes));
  const got = 'sha384-' + btoa(String.fromCharCode(...hash));
  if (got !== INTEGRITY) {{
    document.body.textContent = 'This copy of the site failed its integrity check: its code is not the code it was built with, so it was not run. Reload the page; if this persists, the server holds a changed copy.';
    throw new Error('wasm integrity check failed: expected ' + INTEGRITY + ', got ' + got);
  }}
}}
// The streamed compile had the same bytes; if it failed (a host that
// does not send application/wasm), compile the checked bytes.
const module = (await compiling) ?? await WebAssembly.compile(bytes);
const wasm = await init({{ module_or_path: module }});
window.wasmBindings = bindings;
// For the analysis worker (src/worker.rs): the checked module, and its script.
window.whoservesModule = module;
window.whoservesWorker = new URL('./{worker_name}', import.meta.url).href;
dispatchEvent(new CustomEvent('TrunkApplicationStarted', {{ detail: {{ wasm }} }}));
"""
    data = loader.encode()
    name = f"loader-{hashlib.sha256(data).hexdigest()[:16]}.js"
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
    html = html.replace(
        m.group(0),
        f'<script type="module" src="./{name}" integrity="{sri(data)}" crossorigin="anonymous"></script>',
    )
    # The wasm's download starts with the page's, not once the loader and
    # the app's glue have run: a preload the loader's own fetch takes
    # (the same URL, mode and credentials, and no integrity of its own,
    # which would make it a second download; the loader checks the bytes).
    preload = f'<link rel="preload" href="{wasm}" as="fetch" type="application/wasm" crossorigin="anonymous" />'
    html = re.sub(r'<link rel="preload" href="[^"]+\.wasm"[^>]*>', "", html)
    if preload not in html:
        html = html.replace("</head>", f"    {preload}\n  </head>", 1)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{POLICY}" />'
    if "Content-Security-Policy" not in html:
        charset = '<meta charset="utf-8" />'
        if charset in html:
            html = html.replace(charset, charset + "\n    " + meta, 1)
        else:
            html = html.replace("<head>", "<head>\n    " + meta, 1)
    with open(index, "w", encoding="utf-8") as f:
        f.write(html)
    print(f"postbuild: loader {name}, worker {worker_name}, wasm {wasm_sri[:20]}…, CSP meta")
    return 0


if __name__ == "__main__":
    sys.exit(main())
