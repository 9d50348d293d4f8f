// The line editor of the browser's attach, the same as `standby attach` on a terminal
// (cli/LineEditor.h): a session's stdin is a pipe, so nothing on its side echoes or edits what
// is typed; this does, locally, and hands over whole lines.
//
//   printable characters, Tab         echoed and kept
//   Enter                             the line + "\n" is sent
//   Backspace                         erases the last character
//   Ctrl+U                            erases the line
//   Ctrl+C                            interrupt (SIGINT to the session); the line is dropped
//   Ctrl+D                            on an empty line: end of input; else the line, without "\n"
//   escape sequences (arrows, keys)   ignored, as are other control characters
export type EditorAction =
  { kind: 'echo'; text: string } | { kind: 'send'; text: string } | { kind: 'interrupt' } | { kind: 'eof' };

export class LineEditor {
  private line = '';

  get current(): string {
    return this.line;
  }

  feed(data: string): EditorAction[] {
    const out: EditorAction[] = [];
    // Escape sequences come whole in one onData call from xterm.js: dropped as a unit.
    // eslint-disable-next-line no-control-regex
    const text = data.replace(/\x1b(\[[0-9;?]*[ -/]*[@-~]|O.|.)?/g, '');
    for (const ch of text) {
      if (ch === '\r' || ch === '\n') {
        out.push({ kind: 'echo', text: '\r\n' }, { kind: 'send', text: this.line + '\n' });
        this.line = '';
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.line) {
          this.line = [...this.line].slice(0, -1).join('');
          out.push({ kind: 'echo', text: '\b \b' });
        }
      } else if (ch === '\x15') {
        if (this.line) out.push({ kind: 'echo', text: '\r\x1b[K' });
        this.line = '';
      } else if (ch === '\x03') {
        out.push({ kind: 'echo', text: this.line ? '^C\r\n' : '^C\r\n' }, { kind: 'interrupt' });
        this.line = '';
      } else if (ch === '\x04') {
        if (this.line) {
          out.push({ kind: 'send', text: this.line });
          this.line = '';
        } else {
          out.push({ kind: 'eof' });
        }
      } else if (ch === '\t' || ch >= ' ') {
        this.line += ch;
        out.push({ kind: 'echo', text: ch });
      }
    }
    return out;
  }
}
