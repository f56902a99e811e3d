import type { Logger } from 'pino';
import type { MailSettings } from '../config.js';

export interface MailMessage {
  to: string;
  subject: string;
  /** Every message is plain text: it reads in any client, and links in it are shown whole. */
  text: string;
}

/** Sends mail if the installation has SMTP; answers whether a message went out. */
export interface Mailer {
  readonly enabled: boolean;
  send(message: MailMessage): Promise<boolean>;
}

type Transport = { sendMail(message: { from: string; to: string; subject: string; text: string }): Promise<unknown> };

/**
 * nodemailer is imported on the first message only, so installations without SMTP never load it.
 * A failed send is logged and reported as false, never thrown: the caller still has the link to
 * show. The log carries SMTP's error, never the URL (it holds the password).
 */
export function createMailer(settings: MailSettings | undefined, log: Logger): Mailer {
  let transport: Promise<Transport> | undefined;
  return {
    enabled: settings !== undefined,
    async send(message) {
      if (!settings) return false;
      try {
        transport ??= import('nodemailer').then((nodemailer) => nodemailer.default.createTransport(settings.smtpUrl));
        await (await transport).sendMail({ from: settings.from, to: message.to, subject: message.subject, text: message.text });
        return true;
      } catch (error) {
        const { code, responseCode, command } = error as { code?: string; responseCode?: number; command?: string };
        log.warn({ code, responseCode, command, subject: message.subject }, 'mail not sent');
        return false;
      }
    },
  };
}
