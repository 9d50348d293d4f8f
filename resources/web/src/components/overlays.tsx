// A confirmation dialog and short notices ("toasts"), each mounted once by the app and opened
// from anywhere with confirmAction() and notify().
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

interface ConfirmRequest {
  title: string;
  body: ComponentChildren;
  confirmLabel: string;
  danger: boolean;
  resolve: (ok: boolean) => void;
}

let openConfirm: ((request: ConfirmRequest) => void) | null = null;

export function confirmAction(options: {
  title: string;
  body: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
}): Promise<boolean> {
  return new Promise((resolve) => {
    if (!openConfirm) return resolve(window.confirm(options.title));
    openConfirm({ danger: false, ...options, resolve });
  });
}

export function ConfirmHost() {
  const [request, setRequest] = useState<ConfirmRequest | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    openConfirm = (r) => setRequest(r);
    return () => {
      openConfirm = null;
    };
  }, []);
  useEffect(() => {
    if (request && dialog.current && !dialog.current.open) dialog.current.showModal();
  }, [request]);
  const answer = (ok: boolean) => {
    request?.resolve(ok);
    setRequest(null);
    dialog.current?.close();
  };
  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby="confirm-title"
      onCancel={(e) => {
        e.preventDefault();
        answer(false);
      }}
    >
      {request && (
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            answer(true);
          }}
        >
          <h2 id="confirm-title">{request.title}</h2>
          <div class="dialog-body">{request.body}</div>
          <div class="dialog-actions">
            <button type="button" class="btn" onClick={() => answer(false)}>
              Cancel
            </button>
            <button type="submit" class={`btn ${request.danger ? 'btn-danger' : 'btn-primary'}`} autofocus>
              {request.confirmLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}

interface Toast {
  id: number;
  message: ComponentChildren;
  tone: 'ok' | 'bad' | 'info';
}

let pushToast: ((toast: Toast) => void) | null = null;
let nextToast = 1;

export function notify(message: ComponentChildren, tone: Toast['tone'] = 'info'): void {
  pushToast?.({ id: nextToast++, message, tone });
}

export function ToastHost() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  useEffect(() => {
    pushToast = (toast) => {
      setToasts((list) => [...list.slice(-3), toast]);
      setTimeout(() => setToasts((list) => list.filter((t) => t.id !== toast.id)), toast.tone === 'bad' ? 8000 : 4500);
    };
    return () => {
      pushToast = null;
    };
  }, []);
  return (
    <div class="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} class={`toast toast-${t.tone}`} role={t.tone === 'bad' ? 'alert' : 'status'}>
          {t.message}
        </div>
      ))}
    </div>
  );
}
