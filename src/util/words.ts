/**
 * English for messages people read. No imports: used by the CLI's light path and the node.
 */

/** "an ack", "an immediate alert", "a roster": the indefinite article before a word. */
export function withArticle (word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`
}
