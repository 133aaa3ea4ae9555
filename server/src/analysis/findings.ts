/** Zero-based position, as in LSP. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** One text replacement of a fix. */
export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

/** What a rule reports: data, independent of LSP, SARIF or the terminal. */
export interface Finding {
  ruleId: string;
  message: string;
  severity: Severity;
  range: Range;
  fix?: Fix;
}
