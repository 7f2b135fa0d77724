import { AppError, type ErrorCode } from '../../http/errors.js';

/** Codes only the widget answers with; clients branch on them, so never rename one. */
export type WidgetErrorCode = 'INVALID_IDENTITY' | 'ORIGIN_NOT_ALLOWED';

/**
 * An AppError with a widget code. http/errors.ts's ErrorCode union does not list these yet, so
 * the code is widened here once instead of at every throw.
 */
export function widgetError(code: WidgetErrorCode, status: number, message: string): AppError {
  return new AppError(code as ErrorCode, status, message);
}

export const invalidIdentity = (message: string) => widgetError('INVALID_IDENTITY', 401, message);
