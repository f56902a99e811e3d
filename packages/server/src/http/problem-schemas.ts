import { Type } from '@sinclair/typebox';

/** The problem+json body of every error (http/error-handler.ts renders it). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable machine-readable error code' }),
    message: Type.String(),
    detail: Type.String(),
    details: Type.Optional(Type.Unknown()),
  },
  { $id: 'Problem' },
);

/** The error responses any authenticated, validated route can give; routes spread it into theirs. */
export const problemResponses = {
  400: Type.Ref('Problem'),
  401: Type.Ref('Problem'),
  403: Type.Ref('Problem'),
  429: Type.Ref('Problem'),
  500: Type.Ref('Problem'),
};
