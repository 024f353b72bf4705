import type { Employee } from '../../core/employee';

/** A source row that could not become a canonical employee. Never carries the row's values. */
export interface RowRejection {
  /** Where the row is, in the source's own terms, e.g. `line 7`. */
  row: string;
  field: string;
  reason: string;
}

/** One page from a source: the valid records, the rejected rows, and where to resume after it. */
export interface EmployeePage {
  records: Employee[];
  rejected: RowRejection[];
  /** Opaque; passed back as `resumeFrom` to continue after this page. */
  cursor: string;
}

/** The contract every HRIS source implements. */
export interface SourceConnector {
  readonly type: string;
  /** Yields pages in a stable order; a resumed listing yields exactly the pages after `resumeFrom`. */
  listEmployees(resumeFrom?: string): AsyncIterable<EmployeePage>;
}
