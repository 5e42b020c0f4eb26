import { type ReactNode, useId } from "react";
import { useFocusOnMount } from "./useFocusOnMount.ts";

interface SectionProps {
  title: string;
  actions?: ReactNode;
  /** Move focus to the title when the section appears (the content a user's action just revealed). */
  focusOnMount?: boolean;
  children: ReactNode;
}

/** A titled region of the page (a landmark screen-reader users can jump to). */
export function Section({ title, actions, focusOnMount, children }: SectionProps) {
  const id = useId();
  const heading = useFocusOnMount<HTMLHeadingElement>(focusOnMount);
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-header">
        <h2 id={id} ref={heading} tabIndex={focusOnMount ? -1 : undefined}>
          {title}
        </h2>
        {actions && <div className="card-actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}
