// query.mjs runs SQL statements with DuckDB and prints, for each, its
// column names, DuckDB column types and rows as JSON: the Go test in this
// folder drives it. Usage: node query.mjs 'sql1' 'sql2' ...
import { DuckDBInstance } from '@duckdb/node-api';

const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
const out = [];
for (const sql of process.argv.slice(2)) {
  const reader = await conn.runAndReadAll(sql);
  out.push({
    columns: reader.columnNames(),
    types: reader.columnTypes().map((t) => t.toString()),
    rows: reader.getRowsJson(),
  });
}
process.stdout.write(JSON.stringify(out));
