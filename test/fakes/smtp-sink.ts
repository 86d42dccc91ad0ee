/**
 * A real SMTP server (the `smtp-server` package) on a free loopback port, with authentication, that parses what
 * arrives (`mailparser`): the e-mail adapter is tested against the protocol, never a mock. Recipients can be refused
 * permanently (550 at RCPT TO) to see bounces.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  parsed: ParsedMail;
}

export interface SmtpSink {
  /** `smtp://user:pass@127.0.0.1:<port>` for SMTP_URL. */
  url: string;
  mails: ReceivedMail[];
  /** Mails to one address, in order. */
  to(address: string): ReceivedMail[];
  /** RCPT TO this address answers 550 from now on. */
  refuse(address: string): void;
  close(): Promise<void>;
}

export async function startSmtpSink(opts: { user?: string; pass?: string } = {}): Promise<SmtpSink> {
  const user = opts.user ?? 'otklik';
  const pass = opts.pass ?? 'smtp-secret';
  const mails: ReceivedMail[] = [];
  const refused = new Set<string>();
  const server = new SMTPServer({
    // No TLS on loopback in tests: STARTTLS is not offered, and AUTH is allowed over the plain connection.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === pass) return cb(null, { user });
      return cb(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, cb) {
      if (refused.has(address.address.toLowerCase())) {
        return cb(Object.assign(new Error('5.1.1 Mailbox does not exist'), { responseCode: 550 }));
      }
      cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream).then((parsed) => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
          html: typeof parsed.html === 'string' ? parsed.html : '',
          messageId: parsed.messageId ?? '',
          parsed,
        });
        cb();
      }, (err: Error) => cb(err));
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port));
  });
  return {
    url: `smtp://${user}:${pass}@127.0.0.1:${port}`,
    mails,
    to: (address) => mails.filter((m) => m.to.includes(address)),
    refuse: (address) => void refused.add(address.toLowerCase()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
