// Public surface of src/serve (rewards over HTTP). Nothing is here yet: the scoring CLI (src/cli/score.ts) is the
// current way to serve rewards. Serve sits beside report, above train; other layers import only this file.
export {};
