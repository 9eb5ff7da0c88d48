import { type IncomingMessage } from 'node:http';
import { type OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import { type WebSocket } from 'ws';
import { PartyHub } from './party-hub.js';

/** Largest message a party socket accepts (a 500-character chat message is far below it). */
const MAX_MESSAGE_BYTES = 8 * 1024;

/**
 * `/party/ws` on managers (ws, through Nest's WsAdapter). The socket authenticates with its signed join
 * ticket rather than cookies, so the HTTP guards have nothing to do here; PartyHub handles every message.
 */
@WebSocketGateway({ path: '/party/ws', maxPayload: MAX_MESSAGE_BYTES })
export class PartyGateway implements OnGatewayConnection {
  constructor(private readonly hub: PartyHub) {}

  async handleConnection(socket: WebSocket, request: IncomingMessage): Promise<void> {
    await this.hub.accept(socket, request);
  }
}
