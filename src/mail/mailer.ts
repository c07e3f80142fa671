import nodemailer from 'nodemailer';
import type { Db } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import * as mailRepository from './mail.repository.ts';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Outgoing mail. Every message is first written to the mail_outbox table (in the caller's
 * transaction, so a rolled-back registration sends nothing); with SMTP configured it is then sent and
 * marked sent. Without SMTP the outbox is where an administrator reads it (README: "Mail").
 */
export interface Mailer {
  /** Records the mail with `db` (pass the transaction) and returns its outbox id. */
  queue(db: Db, mail: Mail): Promise<number>;
  /** Sends queued mail by id once the transaction that queued it has committed. */
  deliver(db: Db, ids: readonly number[]): Promise<void>;
}

export function createMailer(options: { smtpUrl: string | undefined; from: string; log: Logger }): Mailer {
  const transport = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : undefined;
  const log = options.log.child({ component: 'mailer' });
  return {
    queue: (db, mail) => mailRepository.enqueue(db, { recipient: mail.to, subject: mail.subject, body: mail.text }),
    async deliver(db, ids) {
      if (!transport) return; // outbox only: nothing leaves the machine
      for (const id of ids) {
        const row = await mailRepository.findById(db, id);
        if (!row || row.sentAt) continue;
        try {
          await transport.sendMail({ from: options.from, to: row.recipient, subject: row.subject, text: row.body });
          await mailRepository.markSent(db, id, new Date());
        } catch (err) {
          log.error({ err, id }, 'mail delivery failed; it stays in the outbox');
          await mailRepository.markFailed(db, id, err instanceof Error ? err.message : String(err));
        }
      }
    },
  };
}
