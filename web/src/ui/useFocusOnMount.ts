import { useEffect, useRef } from "react";

/** Moves focus to the element when it appears, so keyboard and screen-reader users land on what just changed. */
export function useFocusOnMount<T extends HTMLElement>(enabled = true) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (enabled) ref.current?.focus();
  }, [enabled]);
  return ref;
}
