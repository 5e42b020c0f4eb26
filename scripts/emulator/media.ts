// Deterministic recording media: the same recording SID always yields the same bytes.

/** xorshift32 seeded from the SID, so bytes differ between recordings but never between requests. */
function seededRandom(seed: string): () => number {
  let state = 2166136261;
  for (const char of seed) state = Math.imul(state ^ char.charCodeAt(0), 16777619) >>> 0;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

const WAV_SAMPLE_RATE = 8000;
const WAV_SAMPLES_PER_CHANNEL = 2000; // a quarter second keeps test payloads small

/** 16-bit PCM WAV with a quiet noise signal per channel. */
export function wavBytes(recordingSid: string, channels: 1 | 2): Uint8Array<ArrayBuffer> {
  const dataSize = WAV_SAMPLES_PER_CHANNEL * channels * 2;
  const bytes = new Uint8Array(44 + dataSize);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) =>
    [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, 36 + dataSize, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, channels, true);
  view.setUint32(24, WAV_SAMPLE_RATE, true);
  view.setUint32(28, WAV_SAMPLE_RATE * channels * 2, true); // byte rate
  view.setUint16(32, channels * 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, "data");
  view.setUint32(40, dataSize, true);
  const next = seededRandom(recordingSid);
  for (let offset = 44; offset < bytes.length; offset += 2) {
    view.setInt16(offset, (next() % 2001) - 1000, true);
  }
  return bytes;
}

const MP3_FRAMES = 8;
const MP3_FRAME_BYTES = 417; // MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding

/** An ID3v2 tag naming the recording, then silent MPEG-1 Layer III frames (zeroed side info decodes as silence). */
export function mp3Bytes(recordingSid: string, channels: 1 | 2): Uint8Array<ArrayBuffer> {
  const text = new TextEncoder().encode(`\x03${recordingSid}`);
  const frame = new Uint8Array(10 + text.length);
  frame.set(new TextEncoder().encode("TIT2"));
  new DataView(frame.buffer).setUint32(4, text.length);
  frame.set(text, 10);
  const tag = new Uint8Array(10 + frame.length);
  tag.set([0x49, 0x44, 0x33, 3, 0, 0]); // "ID3" v2.3, no flags
  // The tag size is a 28-bit "syncsafe" integer: 7 bits per byte.
  tag.set([
    (frame.length >> 21) & 0x7f,
    (frame.length >> 14) & 0x7f,
    (frame.length >> 7) & 0x7f,
    frame.length & 0x7f,
  ], 6);
  tag.set(frame, 10);
  const bytes = new Uint8Array(tag.length + MP3_FRAMES * MP3_FRAME_BYTES);
  bytes.set(tag);
  const channelMode = channels === 1 ? 0xc4 : 0x04; // mono, or stereo; "original" bit set
  for (let i = 0; i < MP3_FRAMES; i++) {
    bytes.set([0xff, 0xfb, 0x90, channelMode], tag.length + i * MP3_FRAME_BYTES);
  }
  return bytes;
}
