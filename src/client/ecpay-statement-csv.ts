/**
 * The statement download (TradeNoAio) answers a CSV file: decoded from UTF-8 when it is valid UTF-8 (BOM dropped),
 * otherwise from Big5, which ECPay's vendor files have long used.
 */
export function decodeStatementText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('big5').decode(bytes);
  }
}

/**
 * RFC 4180 CSV (quoted fields, `""` escapes, CRLF or LF) into rows of cells; blank lines are dropped. Cells
 * written the Excel way to keep leading zeros, `="0012"`, lose the wrapper.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const endCell = () => {
    row.push(unwrapExcel(cell));
    cell = '';
  };
  const endRow = () => {
    endCell();
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        cell += c;
      }
      i++;
      continue;
    }
    if (c === '"' && (cell === '' || cell === '=')) {
      // `="…"` keeps its `=` marker so unwrapExcel can tell it from a plain quoted cell.
      quoted = true;
      if (cell === '=') cell = '\u0000=';
    } else if (c === ',') {
      endCell();
    } else if (c === '\n' || c === '\r') {
      endRow();
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else {
      cell += c;
    }
    i++;
  }
  if (cell !== '' || row.length > 0) endRow();
  return rows;
}

const unwrapExcel = (cell: string): string => (cell.startsWith('\u0000=') ? cell.slice(2) : cell);
