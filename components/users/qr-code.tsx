"use client";

import QRCode from "qrcode";
import { useEffect, useState } from "react";
import { Skeleton } from "@/components/ui/skeleton";

/** A QR code drawn in the browser (the key never makes another trip to the server for it). */
function QrCode({ value, label, size = 176 }: { value: string; label: string; size?: number }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let isCurrent = true;
    QRCode.toDataURL(value, { margin: 1, width: size * 2, errorCorrectionLevel: "M" })
      .then((url) => isCurrent && setSrc(url))
      .catch(() => isCurrent && setSrc(null));
    return () => {
      isCurrent = false;
    };
  }, [value, size]);
  if (!src) return <Skeleton style={{ width: size, height: size }} />;
  // A data URL generated here: next/image would only add a round trip.
  // eslint-disable-next-line @next/next/no-img-element
  return <img src={src} alt={label} width={size} height={size} className="rounded-md border bg-white p-1" />;
}

export { QrCode };
