// The hand-written script rosterflow is measured against (issue 10): the export streamed through
// csv-parse, leavers filtered out, the csv-file sync's columns written by csv-stringify. Plain
// JavaScript run by node alone, so its time and memory are the script's own.
// Usage: node bench/script.mjs <export.csv> <out.csv>; prints {"rows":N,"peakRssBytes":N}.
import { createReadStream, createWriteStream } from 'node:fs';
import process from 'node:process';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';

const [input, output] = process.argv.slice(2);
let rows = 0;
await pipeline(
  createReadStream(input),
  parse({ columns: true }),
  new Transform({
    objectMode: true,
    transform(row, _encoding, done) {
      if (row['Status'] === 'Terminated') return done();
      rows += 1;
      done(null, [row['Work Email'], row['First Name'], row['Last Name'], row['Department']]);
    },
  }),
  stringify({ header: true, columns: ['Email', 'First Name', 'Last Name', 'Department'] }),
  createWriteStream(output),
);
// maxRSS is in kilobytes.
process.stdout.write(`${JSON.stringify({ rows, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
