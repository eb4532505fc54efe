#!/usr/bin/env node
// Validates Kubernetes manifests against the Kubernetes API's OpenAPI schemas, as packaged by the npm
// package kubernetes-models (generated from the official OpenAPI spec; pinned in package-lock.json,
// installed with `npm ci --prefix e2e/k8s`).
//
// Input (stdin): a JSON array of manifests. Output (stdout): a JSON array, one entry per manifest:
// {"kind": ..., "name": ..., "errors": ["data/spec/...: must be integer", ...]}.
//
// Two checks per manifest:
//   1. the model's own validation (types, required fields, enums, formats: Ajv, compiled from the
//      OpenAPI schema);
//   2. unknown fields, as the API server's strict field validation (kubectl's default) refuses them:
//      the OpenAPI schema does not forbid additional properties, so the field lists are read from
//      the package's type declarations (.d.ts: one interface per schema definition).
"use strict";
const fs = require("fs");
const path = require("path");

const MODELS = path.dirname(require.resolve("kubernetes-models/package.json"));

function modelPath(apiVersion, kind) {
  // "v1" is the core group (kubernetes-models/v1/Kind), "apps/v1" -> kubernetes-models/apps/v1/Kind.
  return path.join(MODELS, apiVersion, kind);
}

const declCache = new Map();

// The interface of a .d.ts file: {props: {name: typeText}, imports: {TypeName: dtsPath}}, or null
// when the file declares a type alias (a string or number type such as Quantity or IntOrString).
function declarations(dts) {
  if (declCache.has(dts)) return declCache.get(dts);
  const text = fs.readFileSync(dts, "utf8");
  const imports = {};
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) {
    let target;
    if (m[2].startsWith(".")) {
      target = path.resolve(path.dirname(dts), m[2] + ".d.ts");
    } else {
      // "@scope/pkg/sub/path" or "pkg/sub/path": the package's directory + sub/path.
      const parts = m[2].split("/");
      const pkg = parts.splice(0, m[2].startsWith("@") ? 2 : 1).join("/");
      target = path.join(path.dirname(require.resolve(pkg + "/package.json")), ...parts) + ".d.ts";
    }
    imports[m[1]] = target;
  }
  const start = text.search(/^export interface \w+( extends [\w, ]+)? \{$/m);
  if (start < 0) {
    declCache.set(dts, null);
    return null;
  }
  const body = text.slice(start, text.indexOf("\n}", start)).split("\n").slice(1);
  const props = {};
  for (let i = 0; i < body.length; i++) {
    const m = body[i].match(/^ {4}"([^"]+)"\??: (.*)$/);
    if (!m) continue;
    let type = m[2];
    if (type === "{") {
      // A map: { [key: string]: T; }
      const v = (body[i + 1] || "").match(/\[key: string\]: (.*);$/);
      type = v ? `Map<${v[1]}>` : "object";
    }
    props[m[1]] = type.replace(/;$/, "");
  }
  const decl = { props, imports };
  declCache.set(dts, decl);
  return decl;
}

function unknownFields(value, dts, where, errors) {
  const decl = declarations(dts);
  if (!decl || value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const [key, v] of Object.entries(value)) {
    const type = decl.props[key];
    if (type === undefined) {
      errors.push(`${where}/${key}: unknown field "${key}"`);
      continue;
    }
    let m;
    if ((m = type.match(/^(\w+)$/)) && decl.imports[m[1]]) {
      unknownFields(v, decl.imports[m[1]], `${where}/${key}`, errors);
    } else if ((m = type.match(/^Array<(\w+)>$/)) && decl.imports[m[1]] && Array.isArray(v)) {
      v.forEach((item, i) => unknownFields(item, decl.imports[m[1]], `${where}/${key}/${i}`, errors));
    } else if ((m = type.match(/^Map<(\w+)>$/)) && decl.imports[m[1]] && v && typeof v === "object") {
      for (const [k, item] of Object.entries(v)) unknownFields(item, decl.imports[m[1]], `${where}/${key}/${k}`, errors);
    }
  }
}

function validate(manifest) {
  const kind = manifest && manifest.kind;
  const apiVersion = manifest && manifest.apiVersion;
  const name = manifest && manifest.metadata && manifest.metadata.name;
  const errors = [];
  const base = modelPath(String(apiVersion), String(kind));
  if (!kind || !apiVersion || !fs.existsSync(base + ".js")) {
    errors.push(`no Kubernetes API schema for apiVersion ${apiVersion} kind ${kind}`);
    return { kind, name, errors };
  }
  const Model = require(base + ".js")[kind];
  try {
    new Model(manifest).validate();
  } catch (e) {
    for (const line of String(e.message).split(/\n|, (?=data)/)) if (line.trim()) errors.push(line.trim());
  }
  unknownFields(manifest, base + ".d.ts", "data", errors);
  return { kind, name, errors };
}

const input = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(input.map(validate)) + "\n");
