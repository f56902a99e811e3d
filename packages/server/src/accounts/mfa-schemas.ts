import { Type } from '@sinclair/typebox';
import { ProblemSchema } from '../http/problem-schemas.js';
import { Text } from '../http/text-input.js';

const TotpCode = Type.String({ pattern: '^[0-9]{6}$', description: 'The 6-digit code the authenticator app shows now' });
const RecoveryCode = Text({ minLength: 1, maxLength: 64, description: 'One of the recovery codes shown at enrolment (each works once)' });

/** Login's 401: a problem, plus the mfaToken when the code is mfa_required. */
export const MfaRequiredProblemSchema = Type.Object(
  {
    ...ProblemSchema.properties,
    mfaToken: Type.Optional(Type.String({ description: 'Only with code mfa_required: send it to POST /api/auth/login/mfa within 5 minutes; it works once' })),
  },
  { $id: 'MfaRequiredProblem' },
);

export const TotpEnrolmentSchema = Type.Object({
  secret: Type.String({ description: 'Base32 secret, for typing into an app that cannot scan the QR code' }),
  otpauthUrl: Type.String({ description: 'otpauth://totp/… URI (SHA-1, 6 digits, 30 s): what the QR code holds' }),
});

export const TotpConfirmSchema = Type.Object({ code: TotpCode }, { additionalProperties: false });

export const RecoveryCodesSchema = Type.Object({
  recoveryCodes: Type.Array(Type.String(), { minItems: 10, maxItems: 10, description: 'Shown this once; each works once in place of a code' }),
});

export const SecondFactorSchema = Type.Object(
  { code: Type.Optional(TotpCode), recoveryCode: Type.Optional(RecoveryCode) },
  { additionalProperties: false, description: 'Exactly one of code and recoveryCode' },
);

export const LoginMfaSchema = Type.Object(
  {
    mfaToken: Text({ minLength: 1, maxLength: 200, description: 'From the mfa_required answer of POST /api/auth/login' }),
    code: Type.Optional(TotpCode),
    recoveryCode: Type.Optional(RecoveryCode),
  },
  { additionalProperties: false, description: 'mfaToken and exactly one of code and recoveryCode' },
);

export const MfaPolicySchema = Type.Object(
  { requireMfa: Type.Boolean({ description: 'Members without TOTP are refused the organisation (403 mfa_enrolment_required)' }) },
  { additionalProperties: false },
);
