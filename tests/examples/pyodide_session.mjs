// Runs Python code in Pyodide under Node, from npm's `pyodide` package alone:
//   node pyodide_session.mjs PYODIDE_DIR CODE_FILE WHEEL...
// Each wheel is unpacked into Pyodide's site-packages (what pip does for a pure-Python
// wheel), then CODE_FILE runs; its last expression, a string, is printed as the `result` of
// one JSON line, with every request anything made through fetch (there should be none).
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, codeFile, ...wheels] = process.argv.slice(2);
const requests = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (resource, options) => {
  const url = String(resource instanceof Request ? resource.url : resource);
  requests.push(url);
  if (!url.startsWith("file:")) throw new Error(`refused a network request: ${url}`);
  return realFetch(resource, options);
};

const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/" });
for (const wheel of wheels) {
  pyodide.FS.writeFile(`/tmp/${basename(wheel)}`, readFileSync(wheel));
}
pyodide.runPython(`
import pathlib, sysconfig, zipfile
for wheel in sorted(pathlib.Path("/tmp").glob("*.whl")):
    zipfile.ZipFile(wheel).extractall(sysconfig.get_paths()["purelib"])
`);
const result = pyodide.runPython(readFileSync(codeFile, "utf8"));
console.log(JSON.stringify({ result, requests }));
