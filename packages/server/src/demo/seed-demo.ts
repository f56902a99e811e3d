import type { AppContext } from '../context.js';

/** Placeholder until the demo seeder lands. */
export async function seedDemo(_ctx: AppContext, _options: { print: (text: string) => void }): Promise<void> {}
