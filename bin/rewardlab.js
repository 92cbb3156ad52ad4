#!/usr/bin/env node
import { fileURLToPath } from "node:url";
import path from "node:path";
import { launch } from "./launch.js";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
launch(path.join(root, "dist/src/cli/main.js"), process.argv.slice(2));
