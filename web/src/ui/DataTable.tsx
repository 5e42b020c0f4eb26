/**
 * A table that reads as a table at every width: columns on a desktop, one stacked block per row on a phone (each
 * value under its column's name). The ARIA roles are spelled out because browsers drop a table's semantics
 * once CSS changes its display, which the phone layout does.
 */
import type { ReactNode } from "react";

export interface Column<Row> {
  header: string;
  cell(row: Row): ReactNode;
  /** The cell that names the row (e.g. the phone number). */
  rowHeader?: boolean;
  /** Shown on a phone before the value; the header by default, "" for none (a checkbox, a button). */
  phoneLabel?: string;
  /** Replaces the header cell (a "select all" checkbox, say); `header` stays its accessible name. */
  headerCell?: ReactNode;
}

interface DataTableProps<Row> {
  label: string;
  columns: Column<Row>[];
  rows: Row[];
  rowKey(row: Row): string;
  rowAttributes?(row: Row): Record<string, string>;
}

export function DataTable<Row>({ label, columns, rows, rowKey, rowAttributes }: DataTableProps<Row>) {
  return (
    <table role="table" className="data-table" aria-label={label}>
      <thead role="rowgroup">
        <tr role="row">
          {columns.map((column) => (
            <th
              role="columnheader"
              scope="col"
              key={column.header}
              aria-label={column.headerCell ? column.header : undefined}
            >
              {column.headerCell ?? column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody role="rowgroup">
        {rows.map((row) => (
          <tr role="row" key={rowKey(row)} {...rowAttributes?.(row)}>
            {columns.map((column) => {
              const Cell = column.rowHeader ? "th" : "td";
              return (
                <Cell
                  key={column.header}
                  role={column.rowHeader ? "rowheader" : "cell"}
                  scope={column.rowHeader ? "row" : undefined}
                  data-label={column.phoneLabel ?? column.header}
                >
                  <div className="cell-value">{column.cell(row)}</div>
                </Cell>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
