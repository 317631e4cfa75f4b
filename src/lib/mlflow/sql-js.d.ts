// sql.js ships no types; the lab types the slice it uses in ./sqljs.ts.
declare module 'sql.js/dist/sql-wasm-browser.js' {
  const init: (o: { locateFile(f: string): string }) => Promise<import('./sqljs').SqlJsStatic>;
  export default init;
}
declare module 'sql.js' {
  const init: (o?: { locateFile?(f: string): string }) => Promise<import('./sqljs').SqlJsStatic>;
  export default init;
}
