"use client";

import { SegmentError } from "@/app/(dashboard)/_components/segment-error";

export default SegmentError;
