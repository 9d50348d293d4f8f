// Attach in the browser: a terminal emulator (xterm.js) on the WebSocket
// /api/v1/workers/{id}/attach (docs/logs.md, "Attach and input"). Binary messages are the
// session's output, the recent part first; text messages are JSON events (live, exit, error).
// Typing goes to the session's stdin as binary messages, a line at a time by default, as with
// `standby attach`, or key by key.
import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITheme } from '@xterm/xterm';
import { useEffect, useRef, useState } from 'preact/hooks';
import { enc } from '../api';
import { cssVar, useColorScheme } from '../hooks';
import { LineEditor } from '../lineEditor';
import { describeExit } from './LogView';

type Phase = 'connecting' | 'replaying' | 'live' | 'exited' | 'closed' | 'refused';

function themeFromCss(): ITheme {
  return {
    background: cssVar('--term-bg'),
    foreground: cssVar('--term-fg'),
    cursor: cssVar('--term-cursor'),
    cursorAccent: cssVar('--term-bg'),
    selectionBackground: cssVar('--term-selection'),
  };
}

export function AttachTerminal({ id, name, onExit }: { id: string; name: string; onExit?: () => void }) {
  const box = useRef<HTMLDivElement>(null);
  const terminal = useRef<Terminal | null>(null);
  const [phase, setPhase] = useState<Phase>('connecting');
  const [note, setNote] = useState('');
  const [mode, setMode] = useState<'line' | 'raw'>('line');
  const modeRef = useRef(mode);
  modeRef.current = mode;
  const [attempt, setAttempt] = useState(0);
  const socket = useRef<WebSocket | null>(null);
  const scheme = useColorScheme();

  useEffect(() => {
    const term = new Terminal({
      convertEol: true, // a pipe carries "\n": start each line at the left
      cursorBlink: true,
      fontFamily: 'ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 13,
      scrollback: 10_000,
      theme: themeFromCss(),
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(box.current!);
    fit.fit();
    terminal.current = term;
    const resize = new ResizeObserver(() => {
      try {
        fit.fit();
      } catch {
        // hidden (zero size): fitted when shown again
      }
    });
    resize.observe(box.current!);
    return () => {
      resize.disconnect();
      term.dispose();
      terminal.current = null;
    };
  }, []);

  useEffect(() => {
    if (terminal.current) terminal.current.options.theme = themeFromCss();
  }, [scheme]);

  useEffect(() => {
    const term = terminal.current!;
    const editor = new LineEditor();
    const encoder = new TextEncoder();
    let ended = false;
    term.reset();
    setPhase('connecting');
    setNote('');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/api/v1/workers/${enc(id)}/attach`);
    ws.binaryType = 'arraybuffer';
    socket.current = ws;

    const dim = (text: string) => term.write(`\x1b[2m${text}\x1b[0m`);
    // Output around the line being typed, so the two do not mix (as the CLI does).
    const output = (bytes: Uint8Array) => {
      const typed = modeRef.current === 'line' ? editor.current : '';
      if (typed) term.write('\r\x1b[K');
      term.write(bytes);
      if (typed) term.write(typed);
    };
    ws.onopen = () => setPhase('replaying');
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') {
        output(new Uint8Array(e.data as ArrayBuffer));
        return;
      }
      let event: {
        type?: string;
        code?: string;
        message?: string;
        status?: string;
        exitCode?: number | null;
        signal?: string | null;
      } = {};
      try {
        event = JSON.parse(e.data);
      } catch {
        return;
      }
      if (event.type === 'live') {
        setPhase('live');
      } else if (event.type === 'exit') {
        ended = true;
        const text = describeExit({
          status: event.status ?? 'ended',
          exitCode: event.exitCode ?? null,
          signal: event.signal ?? null,
        });
        dim(`\r\n[${name} ${text}]\r\n`);
        setPhase('exited');
        setNote(`The session ${text}.`);
        onExit?.();
      } else if (event.type === 'error') {
        setNote(event.message ?? event.code ?? 'error');
      }
    };
    ws.onclose = (e) => {
      if (ended) return;
      setPhase((p) => (p === 'connecting' ? 'refused' : 'closed'));
      setNote(
        e.reason ||
          'The connection closed. The session may have ended, or it is not a background session (only those can be attached).',
      );
    };

    const send = (data: string | Uint8Array) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(data);
    };
    const input = term.onData((data) => {
      if (ws.readyState !== WebSocket.OPEN || ended) return;
      if (modeRef.current === 'raw') {
        if (data === '\x03') send(JSON.stringify({ type: 'signal', signal: 'INT' }));
        else send(encoder.encode(data.replace(/\r/g, '\n')));
        return;
      }
      for (const action of editor.feed(data)) {
        if (action.kind === 'echo') term.write(action.text);
        else if (action.kind === 'send') send(encoder.encode(action.text));
        else if (action.kind === 'interrupt') send(JSON.stringify({ type: 'signal', signal: 'INT' }));
        else if (action.kind === 'eof') {
          send(JSON.stringify({ type: 'eof' }));
          dim('[end of input]\r\n');
        }
      }
    });
    return () => {
      input.dispose();
      ended = true;
      ws.close();
      socket.current = null;
    };
  }, [id, attempt]);

  const signal = (name: string) => {
    socket.current?.send(JSON.stringify({ type: 'signal', signal: name }));
    terminal.current?.focus();
  };
  const endInput = () => {
    socket.current?.send(JSON.stringify({ type: 'eof' }));
    terminal.current?.write('\x1b[2m[end of input]\x1b[0m\r\n');
    terminal.current?.focus();
  };
  const open = phase === 'live' || phase === 'replaying';

  return (
    <div class="attach" data-testid="attach" data-phase={phase}>
      <div class="terminal" ref={box} onClick={() => terminal.current?.focus()} />
      <div class="attach-bar">
        <span class={`phase phase-${phase}`}>
          <span class="dot" aria-hidden="true" />
          {phase === 'connecting' && 'Connecting…'}
          {phase === 'replaying' && 'Recent output…'}
          {phase === 'live' && 'Attached · typing goes to its stdin'}
          {phase === 'exited' && 'Ended'}
          {phase === 'closed' && 'Disconnected'}
          {phase === 'refused' && 'Cannot attach'}
        </span>
        {note && <span class="attach-note">{note}</span>}
        <span class="spacer" />
        {open && (
          <>
            <div class="segmented segmented-small" role="group" aria-label="Input mode">
              <button
                type="button"
                class={mode === 'line' ? 'active' : ''}
                aria-pressed={mode === 'line'}
                title="Edit a line here, Enter sends it (like standby attach)"
                onClick={() => setMode('line')}
              >
                Line
              </button>
              <button
                type="button"
                class={mode === 'raw' ? 'active' : ''}
                aria-pressed={mode === 'raw'}
                title="Send every key as it is typed, without echo"
                onClick={() => setMode('raw')}
              >
                Keys
              </button>
            </div>
            <button class="btn btn-small" onClick={() => signal('INT')} title="Send SIGINT to the session (Ctrl+C)">
              Ctrl+C
            </button>
            <button
              class="btn btn-small"
              onClick={endInput}
              title="Close the session's stdin (Ctrl+D on an empty line)"
            >
              End input
            </button>
          </>
        )}
        {(phase === 'closed' || phase === 'refused') && (
          <button class="btn btn-small" onClick={() => setAttempt((a) => a + 1)}>
            Reconnect
          </button>
        )}
      </div>
    </div>
  );
}
