// Validates one glTF/GLB file with the pinned Khronos glTF-Validator and prints its JSON report.
// Usage: node tools/gltf-validator/validate.js FILE.glb   (after `npm ci` in this folder)
"use strict";
const fs = require("fs");
const path = require("path");
const validator = require("gltf-validator");

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate.js FILE.glb");
  process.exit(2);
}
validator
  .validateBytes(new Uint8Array(fs.readFileSync(file)), { uri: path.basename(file), maxIssues: 1000 })
  .then((report) => console.log(JSON.stringify(report, null, 1)))
  .catch((error) => {
    console.error(String(error));
    process.exit(1);
  });
