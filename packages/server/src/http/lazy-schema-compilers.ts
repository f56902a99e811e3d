import AjvCompiler from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type Compiled = ((...args: unknown[]) => unknown) & { errors?: unknown; schemaEnv?: unknown };
type RouteCompiler = (routeSchema: unknown) => Compiled;
/** Fastify's compilersFactory builders: given the shared schemas and options, a per-route compiler. */
export type CompilerBuilder = (...builderArgs: never[]) => RouteCompiler;

/** A route's validator that Ajv compiles at the route's first request, not when the app gets ready. */
function lazyValidator(compile: () => Compiled): Compiled {
  let compiled: Compiled | undefined;
  const validate: Compiled = function (this: unknown, ...args: unknown[]) {
    compiled ??= compile();
    const result = compiled.apply(this, args);
    // Fastify reads a failure's details from the function it called.
    validate.errors = compiled.errors;
    return result;
  };
  // Marks an Ajv validator for Fastify, which then passes the parent object (so coercion can
  // replace a root value such as a query string); the compiled one gets it forwarded.
  validate.schemaEnv = true;
  return validate;
}

/** A response serializer that fast-json-stringify builds at the first reply that needs it. */
function lazySerializer(compile: () => Compiled): Compiled {
  let compiled: Compiled | undefined;
  return function (this: unknown, ...args: unknown[]) {
    compiled ??= compile();
    return compiled.apply(this, args);
  };
}

/**
 * Fastify's own compilers (Ajv, fast-json-stringify), deferred to each route's first use. Fastify
 * compiles every route's validators and serializers when the app gets ready: hundreds of generated
 * functions (≈ 4 MiB of heap, and start-up time) of which an API replica uses a few. Same options,
 * same shared schemas, same output: only the moment of compiling moves.
 */
export function lazySchemaCompilers(
  buildValidator: CompilerBuilder = AjvCompiler() as unknown as CompilerBuilder,
  buildSerializer: CompilerBuilder = SerializerSelector() as unknown as CompilerBuilder,
) {
  return {
    buildValidator: (...builderArgs: never[]) => {
      const compilerFor = buildValidator(...builderArgs);
      return (routeSchema: unknown) => lazyValidator(() => compilerFor(routeSchema));
    },
    buildSerializer: (...builderArgs: never[]) => {
      const compilerFor = buildSerializer(...builderArgs);
      return (routeSchema: unknown) => lazySerializer(() => compilerFor(routeSchema));
    },
  };
}
