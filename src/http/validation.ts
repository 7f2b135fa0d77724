import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

const shared: Options = {
  // Report every bad field at once, not one per round trip. Bodies are capped by bodyLimit and
  // arrays/strings by maxItems/maxLength, so the extra work stays bounded.
  allErrors: true,
  useDefaults: true,
  // Unknown fields are an error (additionalProperties: false), never silently dropped.
  removeAdditional: false,
  strict: false,
};

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({ ...shared, ...options });
  addFormats.default(ajv);
  return ajv;
}

// Query strings and path params arrive as text and must be coerced ("25" → 25); JSON bodies
// already carry types, so a string where a number belongs is a client error, not a conversion.
const coercing = makeAjv({ coerceTypes: true });
const strictTypes = makeAjv({ coerceTypes: false });

export const validatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strictTypes : coercing;
  return ajv.compile(schema as object);
};
