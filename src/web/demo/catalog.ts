// What the demo shop sells. Prices are picked so the browser test can walk the limit: a small buy,
// a large one that needs the over-limit allowance after a limit raise, and a small one refused after it.
export interface Product { id: 'book' | 'headphones' | 'laptop'; priceFils: number; emoji: string }

export const CATALOG: Product[] = [
  { id: 'book', priceFils: 12_500, emoji: '📖' },
  { id: 'headphones', priceFils: 45_000, emoji: '🎧' },
  { id: 'laptop', priceFils: 199_000, emoji: '💻' },
];

export const findProduct = (id: string | undefined) => CATALOG.find((p) => p.id === id) ?? null;
