/**
 * What a run's Markdown note may contain once rendered (the note is `mlflow.note.content`, free
 * text from whoever logged or imported the run). The renderer (marked, then DOMPurify) lives in
 * the UI; the policy lives here so it is reviewed and tested in one place.
 *
 * Allowed: text structure, code, tables and links. Not allowed: images (they would fetch from
 * arbitrary hosts), forms, frames, SVG/MathML, styles, ids/classes (DOM clobbering), and every
 * attribute but href/title (and align on table cells).
 */
import { safeLinkHref } from './safe-url';

export const NOTE_ALLOWED_TAGS: readonly string[] = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'em', 'strong', 'del', 's',
  'ul', 'ol', 'li', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'input',
];

export const NOTE_ALLOWED_ATTRS: readonly string[] = ['href', 'title', 'align', 'type', 'checked', 'disabled'];

/** A DOMPurify config object (plain data, so it is testable without a DOM). */
export function noteSanitizeConfig() {
  return {
    ALLOWED_TAGS: [...NOTE_ALLOWED_TAGS],
    ALLOWED_ATTR: [...NOTE_ALLOWED_ATTRS],
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
    SANITIZE_DOM: true,
  };
}

/**
 * Attributes for a link element after sanitising: a safe href opening in a new tab without
 * an opener, or null to drop the href (the link text stays as text).
 */
export function noteLinkAttributes(href: string | null): { href: string; target: '_blank'; rel: string } | null {
  const safe = safeLinkHref(href);
  return safe === null ? null : { href: safe, target: '_blank', rel: 'noopener noreferrer nofollow' };
}

/** Task-list checkboxes are the only inputs marked produces; anything else is removed. */
export function isAllowedNoteInput(type: string | null, disabled: boolean): boolean {
  return type === 'checkbox' && disabled;
}
