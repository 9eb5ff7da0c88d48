import { Inject, Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import sharp from 'sharp';
import { MEDIA_STORE, type MediaStore } from '../../core/storage/media-store.js';
import { type TaskView } from '../../ingest/ingest.service.js';
import { LibraryService } from '../../library/library.service.js';
import { type MediaFile } from '../../library/schemas/media-file.schema.js';
import { type Title } from '../../library/schemas/title.schema.js';
import { type Delivery, type Recipient, BotNotifier } from '../delivery/bot-notifier.service.js';
import { escapeHtml } from '../format/text-format.js';
import { taskName } from '../status/status-view.js';
import {
  cancelledMessage,
  comicCaption,
  completionCaption,
  failureMessage,
  packCaption,
} from './completion-caption.js';
import { WatchLinks } from './watch-links.js';

const STILL_MAX_BYTES = 5 * 1024 * 1024;

/** Tells the requester how a task ended: a captioned still with a watch link, or the error and a retry hint. */
@Injectable()
export class CompletionNotifier {
  private readonly logger = new Logger('bot');

  constructor(
    private readonly library: LibraryService,
    @Inject(MEDIA_STORE) private readonly store: MediaStore,
    private readonly links: WatchLinks,
    private readonly notifier: BotNotifier,
  ) {}

  async announce(view: TaskView, to: Recipient): Promise<Delivery> {
    if (view.state === 'done') return this.done(view, to);
    if (view.state === 'failed')
      return this.notifier.tell(to, failureMessage(taskName(view), view.error, view.taskId));
    return this.notifier.tell(to, cancelledMessage(taskName(view), view.taskId));
  }

  private async done(view: TaskView, to: Recipient): Promise<Delivery> {
    const [fileId] = view.fileIds;
    if (!fileId) return this.notifier.tell(to, `✅ <b>${escapeHtml(taskName(view))}</b> is in the library.`);
    if (view.items.some((item) => item.kind === 'comic' && item.state === 'done'))
      return this.comicsDone(view, to);
    if (view.items.length > 1) return this.packDone(view, to, fileId);
    const file = await this.library.requireFile(new Types.ObjectId(fileId));
    let title: Title | undefined;
    if (view.titleId) {
      title = await this.library.requireTitle(new Types.ObjectId(view.titleId)).catch(() => undefined);
    }
    const caption = completionCaption(file, title, this.links.sign(fileId));
    return this.notifier.tell(to, caption, { photo: await this.still(file) });
  }

  /** A pack: what it brought (how many episodes, what failed or was left out) and a link to the first. */
  private async packDone(view: TaskView, to: Recipient, fileId: string): Promise<Delivery> {
    let title: Title | undefined;
    if (view.titleId) {
      title = await this.library.requireTitle(new Types.ObjectId(view.titleId)).catch(() => undefined);
    }
    const file = await this.library.requireFile(new Types.ObjectId(fileId));
    const caption = packCaption(view, title?.name ?? taskName(view), title?.year, this.links.sign(fileId));
    return this.notifier.tell(to, caption, { photo: await this.still(file) });
  }

  /** Comics: the series and the chapters added, with a link to its page (volumes, chapters, reader). */
  private async comicsDone(view: TaskView, to: Recipient): Promise<Delivery> {
    const title = view.titleId
      ? await this.library.requireTitle(new Types.ObjectId(view.titleId)).catch(() => undefined)
      : undefined;
    const readUrl = this.links.site(title ? `/title/${String(title._id)}` : '/');
    return this.notifier.tell(to, comicCaption(view, title?.name ?? taskName(view), readUrl));
  }

  /** The middle still as JPEG (what sendPhoto takes everywhere), or none. */
  private async still(file: MediaFile): Promise<Buffer | undefined> {
    const still = file.screenshots[Math.floor(file.screenshots.length / 2)];
    if (!still || still.size > STILL_MAX_BYTES) return undefined;
    try {
      const webp = Buffer.concat(await this.store.read([still], 0, still.size - 1).toArray());
      return await sharp(webp).jpeg({ quality: 85 }).toBuffer();
    } catch (error) {
      this.logger.warn(`no still for file ${String(file._id)}: ${(error as Error).message}`);
      return undefined;
    }
  }
}
