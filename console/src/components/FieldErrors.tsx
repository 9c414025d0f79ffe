/**
 * A form's API field errors shown beside their inputs: `field(name, label, input)` renders one
 * labelled input with its hint and the problems the API named by `name` (or anything under it,
 * such as `rules.window.days.1`); `FormProblem` lists, above the form, what no input claimed.
 * After a refused submit, focus goes to the first input with a problem.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../api.ts';

export interface FieldProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

type FieldProblem = ApiError['errors'][number];

/** `prefix` keeps input ids apart between forms (`f-rules-window`, `x-arms-1-name`). */
export function useFieldErrors(error: ApiError | undefined, prefix: string) {
  const formRef = useRef<HTMLFormElement>(null);
  const problems = error?.errors ?? [];
  const shown = new Set<string>();
  const idOf = (name: string) => `${prefix}-${name.replaceAll('.', '-')}`;

  /** The problems of one input: its own field, and anything under it. */
  const problemsOf = (name: string) => {
    const mine = problems.filter((p) => p.field === name || p.field.startsWith(`${name}.`));
    for (const p of mine) shown.add(p.field);
    return mine;
  };

  useEffect(() => {
    if (problems.length) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error]);

  /** One labelled input with its hint and its problems beside it. */
  const field = (name: string, label: string, input: (props: FieldProps) => ReactNode, hint?: string) => {
    const mine = problemsOf(name);
    const describedBy = [hint ? `${idOf(name)}-hint` : '', mine.length ? `${idOf(name)}-error` : ''].filter(Boolean).join(' ') || undefined;
    return (
      <div className={`field${mine.length ? ' invalid' : ''}`}>
        <label htmlFor={idOf(name)}>{label}</label>
        {input({ id: idOf(name), 'aria-invalid': mine.length > 0, 'aria-describedby': describedBy })}
        {hint && (
          <p id={`${idOf(name)}-hint`} className="hint">
            {hint}
          </p>
        )}
        {mine.length > 0 && (
          <p id={`${idOf(name)}-error`} className="field-error" data-field={name}>
            {mine.map((p) => p.message).join('; ')}
          </p>
        )}
      </div>
    );
  };

  /** The problems of a whole list (`scripts`, `arms`) rather than one of its items. */
  const listProblems = (name: string) =>
    problemsOf(name)
      .filter((p) => p.field === name)
      .map((p) => (
        <p key={p.message} className="field-error" data-field={name}>
          {p.message}
        </p>
      ));

  /** Problems no `field` or `listProblems` called so far claims; call it after rendering the inputs. */
  const unclaimed = () => problems.filter((p) => !shown.has(p.field));

  return { formRef, problems, field, listProblems, unclaimed };
}

/** The form's error above it: how many fields to fix and the problems no input shows, or the error itself. */
export function FormProblem({ error, unclaimed, fixFields }: { error: ApiError | undefined; unclaimed: FieldProblem[]; fixFields: string }) {
  const { t } = useTranslation();
  if (!error) return null;
  const problems = error.errors;
  return (
    <div role="alert" className="problem">
      <strong>{problems.length ? t(fixFields, { count: problems.length }) : t(`errors.${error.code}`, { defaultValue: error.message })}</strong>
      {(problems.length === 0 || unclaimed.length > 0) && (
        <ul>
          {problems.length === 0 && <li>{error.message}</li>}
          {unclaimed.map((p) => (
            <li key={p.field + p.message}>
              <code>{p.field || 'body'}</code>: {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
