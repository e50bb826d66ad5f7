// A modal dialog (the browser's <dialog>: focus kept inside, Escape closes).
import { useEffect, useRef, type ReactNode } from "react";

interface Props {
  title: string;
  /** Escape calls it; without it, the dialog stays until one of its buttons is used. */
  onClose?: () => void;
  children: ReactNode;
}

export function Modal({ title, onClose, children }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      aria-label={title}
      onCancel={(e) => {
        e.preventDefault();
        onClose?.();
      }}
    >
      <h2>{title}</h2>
      {children}
    </dialog>
  );
}
