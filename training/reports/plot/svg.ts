/** Text made safe for SVG element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]!};`);
}

/** A coordinate to 0.01 px: precise on screen, and keeps the files small and diffable. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}
