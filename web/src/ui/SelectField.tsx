import { useId } from "react";

interface SelectFieldProps<T extends string> {
  label: string;
  value: T;
  /** Every option with what people read, in the order offered. */
  options: Record<T, string>;
  onChange: (value: T) => void;
}

/** A labelled select of one of `options`. */
export function SelectField<T extends string>({ label, value, options, onChange }: SelectFieldProps<T>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value as T)}>
        {Object.entries<string>(options).map(([option, text]) => (
          <option key={option} value={option}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}
