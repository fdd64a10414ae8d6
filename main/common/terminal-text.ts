// Everything the CLI prints goes through here. Text read from files (run logs, ledger errors,
// status fields, skill names and problems) is skill-controlled: an escape sequence in it could set
// the clipboard (OSC 52), retitle the window, hide lines or fake our output. So every C0 and C1
// control character except newline and tab is dropped, and DEL with them.
// Our own colors never travel as ESC: `colorMark` wraps a color in private-use marks that only
// `forTerminal` turns into one of five fixed SGR sequences, after the stripping.

const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const MARK_OPEN = '\uf8f0';
const MARK_CLOSE = '\uf8f1';
const MARKS = /\uf8f0(0|31|32|33|90)\uf8f1/g;
const STRAY_MARKS = /[\uf8f0\uf8f1]/g;

/** The text without control characters (newline and tab kept). */
export function stripControls(text: string): string {
  return text.replace(CONTROLS, '');
}

/** A color code (0 = reset, 31 red, 32 green, 33 amber, 90 grey) as a mark `forTerminal` understands. */
export function colorMark(code: '0' | '31' | '32' | '33' | '90'): string {
  return `${MARK_OPEN}${code}${MARK_CLOSE}`;
}

/** What may reach a terminal: controls stripped, our marks made SGR colors (or dropped). */
export function forTerminal(text: string, color: boolean): string {
  return stripControls(text)
    .replace(MARKS, (_m, code: string) => (color ? `\u001b[${code}m` : ''))
    .replace(STRAY_MARKS, '');
}

/** Printed width: marks take no room. */
export function visibleLength(text: string): number {
  return text.replace(MARKS, '').length;
}
