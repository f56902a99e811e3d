import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * A reference to a named shape (a schema with an `$id` that http/app.ts registers): `/openapi.json`
 * lists it once as a component of that name, and the generated client types name it the same. A
 * schema with an `$id` must be used only through this, never inline (its `$id` would be declared twice).
 */
export function refTo<T extends TSchema>(schema: T) {
  if (!schema.$id) throw new Error('refTo needs a schema with an $id');
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id));
}
