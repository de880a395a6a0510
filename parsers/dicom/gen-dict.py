#!/usr/bin/python3
"""gen-dict.py - write the DICOM dictionary tables of the parser.

Source data (below, by hand, from DICOM PS3.6 "Data Dictionary", the
Registry of DICOM Data Elements and the Registry of DICOM Unique
Identifiers): the data elements the parser names (query keys, rule keyword
arguments such as dicom.attribute:PatientName), the key attributes it
extracts into EVE, and the names of the SOP classes, transfer syntaxes and
other well-known UIDs it writes beside a UID.

Outputs, in this directory (both are committed; run this script again after
editing the lists):
  dicom-dict-tab.c   tag table (sorted by tag), UID table (sorted by UID)
  dicom-keys.def     the key attributes as an X-macro list (DICOM_KEY)

Usage: ./gen-dict.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# Key attributes: (keyword, EVE name, flags). Their order fixes the order of
# the EVE fields. PHI: patient-identifying, logged as a keyed hash.
KEYS = [
    ("PatientName", "patient_name", "MD_FF_PHI"),
    ("PatientID", "patient_id", "MD_FF_PHI"),
    ("PatientBirthDate", "patient_birth_date", "MD_FF_PHI"),
    ("StudyInstanceUID", "study_instance_uid", "0"),
    ("SeriesInstanceUID", "series_instance_uid", "0"),
    ("SOPClassUID", "sop_class_uid", "0"),
    ("SOPInstanceUID", "sop_instance_uid", "0"),
    ("Modality", "modality", "0"),
    ("Manufacturer", "manufacturer", "0"),
    ("ManufacturerModelName", "manufacturer_model_name", "0"),
    ("SoftwareVersions", "software_versions", "0"),
    ("DeviceSerialNumber", "device_serial_number", "0"),
    ("StationName", "station_name", "0"),
    ("InstitutionName", "institution_name", "0"),
    ("QueryRetrieveLevel", "query_retrieve_level", "0"),
    ("MIMETypeOfEncapsulatedDocument", "document_mime_type", "0"),
]

# Data elements: (group, element, keyword, VR).
TAGS = [
    (0x0008, 0x0005, "SpecificCharacterSet", "CS"),
    (0x0008, 0x0008, "ImageType", "CS"),
    (0x0008, 0x0012, "InstanceCreationDate", "DA"),
    (0x0008, 0x0016, "SOPClassUID", "UI"),
    (0x0008, 0x0018, "SOPInstanceUID", "UI"),
    (0x0008, 0x0020, "StudyDate", "DA"),
    (0x0008, 0x0021, "SeriesDate", "DA"),
    (0x0008, 0x0022, "AcquisitionDate", "DA"),
    (0x0008, 0x0023, "ContentDate", "DA"),
    (0x0008, 0x0030, "StudyTime", "TM"),
    (0x0008, 0x0031, "SeriesTime", "TM"),
    (0x0008, 0x0050, "AccessionNumber", "SH"),
    (0x0008, 0x0052, "QueryRetrieveLevel", "CS"),
    (0x0008, 0x0054, "RetrieveAETitle", "AE"),
    (0x0008, 0x0056, "InstanceAvailability", "CS"),
    (0x0008, 0x0060, "Modality", "CS"),
    (0x0008, 0x0061, "ModalitiesInStudy", "CS"),
    (0x0008, 0x0064, "ConversionType", "CS"),
    (0x0008, 0x0070, "Manufacturer", "LO"),
    (0x0008, 0x0080, "InstitutionName", "LO"),
    (0x0008, 0x0081, "InstitutionAddress", "ST"),
    (0x0008, 0x0090, "ReferringPhysicianName", "PN"),
    (0x0008, 0x1010, "StationName", "SH"),
    (0x0008, 0x1030, "StudyDescription", "LO"),
    (0x0008, 0x103E, "SeriesDescription", "LO"),
    (0x0008, 0x1040, "InstitutionalDepartmentName", "LO"),
    (0x0008, 0x1050, "PerformingPhysicianName", "PN"),
    (0x0008, 0x1070, "OperatorsName", "PN"),
    (0x0008, 0x1090, "ManufacturerModelName", "LO"),
    (0x0010, 0x0010, "PatientName", "PN"),
    (0x0010, 0x0020, "PatientID", "LO"),
    (0x0010, 0x0021, "IssuerOfPatientID", "LO"),
    (0x0010, 0x0030, "PatientBirthDate", "DA"),
    (0x0010, 0x0040, "PatientSex", "CS"),
    (0x0010, 0x1000, "OtherPatientIDs", "LO"),
    (0x0010, 0x1010, "PatientAge", "AS"),
    (0x0010, 0x1030, "PatientWeight", "DS"),
    (0x0010, 0x1040, "PatientAddress", "LO"),
    (0x0010, 0x2154, "PatientTelephoneNumbers", "SH"),
    (0x0010, 0x4000, "PatientComments", "LT"),
    (0x0018, 0x0015, "BodyPartExamined", "CS"),
    (0x0018, 0x1000, "DeviceSerialNumber", "LO"),
    (0x0018, 0x1020, "SoftwareVersions", "LO"),
    (0x0018, 0x1030, "ProtocolName", "LO"),
    (0x0020, 0x000D, "StudyInstanceUID", "UI"),
    (0x0020, 0x000E, "SeriesInstanceUID", "UI"),
    (0x0020, 0x0010, "StudyID", "SH"),
    (0x0020, 0x0011, "SeriesNumber", "IS"),
    (0x0020, 0x0013, "InstanceNumber", "IS"),
    (0x0020, 0x0052, "FrameOfReferenceUID", "UI"),
    (0x0020, 0x1206, "NumberOfStudyRelatedSeries", "IS"),
    (0x0020, 0x1208, "NumberOfStudyRelatedInstances", "IS"),
    (0x0020, 0x1209, "NumberOfSeriesRelatedInstances", "IS"),
    (0x0028, 0x0010, "Rows", "US"),
    (0x0028, 0x0011, "Columns", "US"),
    (0x0028, 0x0100, "BitsAllocated", "US"),
    (0x0040, 0x0001, "ScheduledStationAETitle", "AE"),
    (0x0040, 0x0002, "ScheduledProcedureStepStartDate", "DA"),
    (0x0040, 0x0100, "ScheduledProcedureStepSequence", "SQ"),
    (0x0040, 0x1001, "RequestedProcedureID", "SH"),
    (0x0042, 0x0010, "DocumentTitle", "ST"),
    (0x0042, 0x0011, "EncapsulatedDocument", "OB"),
    (0x0042, 0x0012, "MIMETypeOfEncapsulatedDocument", "LO"),
    (0x7FE0, 0x0010, "PixelData", "OW"),
]

# Transfer syntaxes: (UID, name, encoding). The encoding of every other
# transfer syntax is explicit VR little endian (PS3.5 A.4: encapsulated
# pixel data formats).
TRANSFER_SYNTAXES = [
    ("1.2.840.10008.1.2", "Implicit VR Little Endian", "IMPLICIT_LE"),
    ("1.2.840.10008.1.2.1", "Explicit VR Little Endian", "EXPLICIT_LE"),
    ("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", "DEFLATED"),
    ("1.2.840.10008.1.2.2", "Explicit VR Big Endian", "EXPLICIT_BE"),
    ("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", "EXPLICIT_LE"),
    ("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", "EXPLICIT_LE"),
    ("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", "EXPLICIT_LE"),
    ("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction", "EXPLICIT_LE"),
    ("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression", "EXPLICIT_LE"),
    ("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression", "EXPLICIT_LE"),
    ("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)", "EXPLICIT_LE"),
    ("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression", "EXPLICIT_LE"),
    ("1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate", "DEFLATED"),
    ("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level", "EXPLICIT_LE"),
    ("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1", "EXPLICIT_LE"),
    ("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)", "EXPLICIT_LE"),
    ("1.2.840.10008.1.2.5", "RLE Lossless", "EXPLICIT_LE"),
]

# Other UIDs: (UID, name).
UIDS = [
    ("1.2.840.10008.1.1", "Verification SOP Class"),
    ("1.2.840.10008.1.20.1", "Storage Commitment Push Model SOP Class"),
    ("1.2.840.10008.1.9", "Basic Study Content Notification SOP Class"),
    ("1.2.840.10008.3.1.1.1", "DICOM Application Context Name"),
    ("1.2.840.10008.3.1.2.3.3", "Modality Performed Procedure Step SOP Class"),
    ("1.2.840.10008.3.1.2.3.4", "Modality Performed Procedure Step Retrieve SOP Class"),
    ("1.2.840.10008.3.1.2.3.5", "Modality Performed Procedure Step Notification SOP Class"),
    ("1.2.840.10008.4.2", "Storage Service Class"),
    ("1.2.840.10008.5.1.1.9", "Basic Grayscale Print Management Meta SOP Class"),
    ("1.2.840.10008.5.1.1.16", "Printer SOP Class"),
    ("1.2.840.10008.5.1.1.18", "Basic Color Print Management Meta SOP Class"),
    ("1.2.840.10008.5.1.4.1.1.1", "Computed Radiography Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.1.1", "Digital X-Ray Image Storage - For Presentation"),
    ("1.2.840.10008.5.1.4.1.1.1.1.1", "Digital X-Ray Image Storage - For Processing"),
    ("1.2.840.10008.5.1.4.1.1.1.2", "Digital Mammography X-Ray Image Storage - For Presentation"),
    ("1.2.840.10008.5.1.4.1.1.1.2.1", "Digital Mammography X-Ray Image Storage - For Processing"),
    ("1.2.840.10008.5.1.4.1.1.1.3", "Digital Intra-Oral X-Ray Image Storage - For Presentation"),
    ("1.2.840.10008.5.1.4.1.1.1.3.1", "Digital Intra-Oral X-Ray Image Storage - For Processing"),
    ("1.2.840.10008.5.1.4.1.1.2", "CT Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.2.1", "Enhanced CT Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.2.2", "Legacy Converted Enhanced CT Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.3.1", "Ultrasound Multi-frame Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.4", "MR Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.4.1", "Enhanced MR Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.4.2", "MR Spectroscopy Storage"),
    ("1.2.840.10008.5.1.4.1.1.4.3", "Enhanced MR Color Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.4.4", "Legacy Converted Enhanced MR Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.6.1", "Ultrasound Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.6.2", "Enhanced US Volume Storage"),
    ("1.2.840.10008.5.1.4.1.1.7", "Secondary Capture Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.7.1", "Multi-frame Single Bit Secondary Capture Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.7.2", "Multi-frame Grayscale Byte Secondary Capture Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.7.3", "Multi-frame Grayscale Word Secondary Capture Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.7.4", "Multi-frame True Color Secondary Capture Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.9.1.1", "12-lead ECG Waveform Storage"),
    ("1.2.840.10008.5.1.4.1.1.9.1.2", "General ECG Waveform Storage"),
    ("1.2.840.10008.5.1.4.1.1.9.1.3", "Ambulatory ECG Waveform Storage"),
    ("1.2.840.10008.5.1.4.1.1.9.2.1", "Hemodynamic Waveform Storage"),
    ("1.2.840.10008.5.1.4.1.1.9.3.1", "Cardiac Electrophysiology Waveform Storage"),
    ("1.2.840.10008.5.1.4.1.1.9.4.1", "Basic Voice Audio Waveform Storage"),
    ("1.2.840.10008.5.1.4.1.1.9.4.2", "General Audio Waveform Storage"),
    ("1.2.840.10008.5.1.4.1.1.9.5.1", "Arterial Pulse Waveform Storage"),
    ("1.2.840.10008.5.1.4.1.1.9.6.1", "Respiratory Waveform Storage"),
    ("1.2.840.10008.5.1.4.1.1.11.1", "Grayscale Softcopy Presentation State Storage"),
    ("1.2.840.10008.5.1.4.1.1.11.2", "Color Softcopy Presentation State Storage"),
    ("1.2.840.10008.5.1.4.1.1.11.3", "Pseudo-Color Softcopy Presentation State Storage"),
    ("1.2.840.10008.5.1.4.1.1.11.4", "Blending Softcopy Presentation State Storage"),
    ("1.2.840.10008.5.1.4.1.1.11.5", "XA/XRF Grayscale Softcopy Presentation State Storage"),
    ("1.2.840.10008.5.1.4.1.1.12.1", "X-Ray Angiographic Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.12.1.1", "Enhanced XA Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.12.2", "X-Ray Radiofluoroscopic Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.12.2.1", "Enhanced XRF Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.13.1.1", "X-Ray 3D Angiographic Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.13.1.2", "X-Ray 3D Craniofacial Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.13.1.3", "Breast Tomosynthesis Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.20", "Nuclear Medicine Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.66", "Raw Data Storage"),
    ("1.2.840.10008.5.1.4.1.1.66.1", "Spatial Registration Storage"),
    ("1.2.840.10008.5.1.4.1.1.66.2", "Spatial Fiducials Storage"),
    ("1.2.840.10008.5.1.4.1.1.66.3", "Deformable Spatial Registration Storage"),
    ("1.2.840.10008.5.1.4.1.1.66.4", "Segmentation Storage"),
    ("1.2.840.10008.5.1.4.1.1.66.5", "Surface Segmentation Storage"),
    ("1.2.840.10008.5.1.4.1.1.67", "Real World Value Mapping Storage"),
    ("1.2.840.10008.5.1.4.1.1.77.1.1", "VL Endoscopic Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.77.1.1.1", "Video Endoscopic Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.77.1.2", "VL Microscopic Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.77.1.2.1", "Video Microscopic Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.77.1.3", "VL Slide-Coordinates Microscopic Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.77.1.4", "VL Photographic Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.77.1.4.1", "Video Photographic Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.77.1.5.1", "Ophthalmic Photography 8 Bit Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.77.1.5.2", "Ophthalmic Photography 16 Bit Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.77.1.5.3", "Stereometric Relationship Storage"),
    ("1.2.840.10008.5.1.4.1.1.77.1.5.4", "Ophthalmic Tomography Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.77.1.6", "VL Whole Slide Microscopy Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.88.11", "Basic Text SR Storage"),
    ("1.2.840.10008.5.1.4.1.1.88.22", "Enhanced SR Storage"),
    ("1.2.840.10008.5.1.4.1.1.88.33", "Comprehensive SR Storage"),
    ("1.2.840.10008.5.1.4.1.1.88.34", "Comprehensive 3D SR Storage"),
    ("1.2.840.10008.5.1.4.1.1.88.40", "Procedure Log Storage"),
    ("1.2.840.10008.5.1.4.1.1.88.50", "Mammography CAD SR Storage"),
    ("1.2.840.10008.5.1.4.1.1.88.59", "Key Object Selection Document Storage"),
    ("1.2.840.10008.5.1.4.1.1.88.65", "Chest CAD SR Storage"),
    ("1.2.840.10008.5.1.4.1.1.88.67", "X-Ray Radiation Dose SR Storage"),
    ("1.2.840.10008.5.1.4.1.1.88.69", "Colon CAD SR Storage"),
    ("1.2.840.10008.5.1.4.1.1.104.1", "Encapsulated PDF Storage"),
    ("1.2.840.10008.5.1.4.1.1.104.2", "Encapsulated CDA Storage"),
    ("1.2.840.10008.5.1.4.1.1.104.3", "Encapsulated STL Storage"),
    ("1.2.840.10008.5.1.4.1.1.128", "Positron Emission Tomography Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.128.1", "Legacy Converted Enhanced PET Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.130", "Enhanced PET Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.131", "Basic Structured Display Storage"),
    ("1.2.840.10008.5.1.4.1.1.481.1", "RT Image Storage"),
    ("1.2.840.10008.5.1.4.1.1.481.2", "RT Dose Storage"),
    ("1.2.840.10008.5.1.4.1.1.481.3", "RT Structure Set Storage"),
    ("1.2.840.10008.5.1.4.1.1.481.4", "RT Beams Treatment Record Storage"),
    ("1.2.840.10008.5.1.4.1.1.481.5", "RT Plan Storage"),
    ("1.2.840.10008.5.1.4.1.1.481.6", "RT Brachy Treatment Record Storage"),
    ("1.2.840.10008.5.1.4.1.1.481.7", "RT Treatment Summary Record Storage"),
    ("1.2.840.10008.5.1.4.1.1.481.8", "RT Ion Plan Storage"),
    ("1.2.840.10008.5.1.4.1.1.481.9", "RT Ion Beams Treatment Record Storage"),
    ("1.2.840.10008.5.1.4.1.2.1.1", "Patient Root Query/Retrieve Information Model - FIND"),
    ("1.2.840.10008.5.1.4.1.2.1.2", "Patient Root Query/Retrieve Information Model - MOVE"),
    ("1.2.840.10008.5.1.4.1.2.1.3", "Patient Root Query/Retrieve Information Model - GET"),
    ("1.2.840.10008.5.1.4.1.2.2.1", "Study Root Query/Retrieve Information Model - FIND"),
    ("1.2.840.10008.5.1.4.1.2.2.2", "Study Root Query/Retrieve Information Model - MOVE"),
    ("1.2.840.10008.5.1.4.1.2.2.3", "Study Root Query/Retrieve Information Model - GET"),
    ("1.2.840.10008.5.1.4.1.2.4.2", "Composite Instance Root Retrieve - MOVE"),
    ("1.2.840.10008.5.1.4.1.2.4.3", "Composite Instance Root Retrieve - GET"),
    ("1.2.840.10008.5.1.4.1.2.5.3", "Composite Instance Retrieve Without Bulk Data - GET"),
    ("1.2.840.10008.5.1.4.31", "Modality Worklist Information Model - FIND"),
    ("1.2.840.10008.5.1.4.33", "Instance Availability Notification SOP Class"),
    ("1.2.840.10008.5.1.4.34.6.1", "Unified Procedure Step - Push SOP Class"),
    ("1.2.840.10008.5.1.4.34.6.2", "Unified Procedure Step - Watch SOP Class"),
    ("1.2.840.10008.5.1.4.34.6.3", "Unified Procedure Step - Pull SOP Class"),
    ("1.2.840.10008.5.1.4.34.6.4", "Unified Procedure Step - Event SOP Class"),
    ("1.2.840.10008.5.1.4.34.7", "RT Beams Delivery Instruction Storage"),
]

HEAD = """/* dicom-dict-tab.c - DICOM dictionary tables: GENERATED by gen-dict.py
 * from the lists in that script (DICOM PS3.6 data elements and UIDs). Do not
 * edit: edit gen-dict.py and run it again.
 *
 * dicom_tags: data elements the parser names, sorted by tag (bsearch);
 * `key` is the DICOM_KEY_* index of a key attribute, or -1.
 * dicom_uids: UID names, sorted by UID (strcmp order, bsearch); `ts` is
 * the encoding of a transfer syntax, or DICOM_TS_NONE.
 */
#include "dicom.h"

"""


def c_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    key_index = {kw: i for i, (kw, _, _) in enumerate(KEYS)}
    kws = {t[2] for t in TAGS}
    missing = [kw for kw in key_index if kw not in kws]
    if missing:
        raise SystemExit("key attributes missing from TAGS: %s" % missing)
    tags = sorted(TAGS, key=lambda t: (t[0] << 16) | t[1])
    uids = [(u, n, "DICOM_TS_" + ts) for u, n, ts in TRANSFER_SYNTAXES]
    uids += [(u, n, "DICOM_TS_NONE") for u, n in UIDS]
    uids.sort(key=lambda x: x[0].encode())
    if len({u for u, _, _ in uids}) != len(uids):
        raise SystemExit("duplicate UID")
    out = [HEAD, "const struct dicom_tag_def dicom_tags[] = {\n"]
    for g, e, kw, vr in tags:
        out.append("\t{0x%04X%04X, %s, %s, %d},\n"
                   % (g, e, c_str(kw), c_str(vr), key_index.get(kw, -1)))
    out.append("};\nconst size_t dicom_n_tags = sizeof(dicom_tags) / sizeof(dicom_tags[0]);\n\n")
    out.append("const struct dicom_uid_def dicom_uids[] = {\n")
    for u, n, ts in uids:
        out.append("\t{%s, %s, %s},\n" % (c_str(u), c_str(n), ts))
    out.append("};\nconst size_t dicom_n_uids = sizeof(dicom_uids) / sizeof(dicom_uids[0]);\n")
    with open(os.path.join(HERE, "dicom-dict-tab.c"), "w") as f:
        f.write("".join(out))

    tag_of = {t[2]: (t[0] << 16) | t[1] for t in TAGS}
    defs = ["/* dicom-keys.def - key attributes: GENERATED by gen-dict.py. Do not edit.\n"
            " * DICOM_KEY(Keyword, tag, eve_name, field flags), in EVE order. */\n"]
    for kw, name, flags in KEYS:
        defs.append("DICOM_KEY(%s, 0x%08X, %s, %s)\n" % (kw, tag_of[kw], name, flags))
    with open(os.path.join(HERE, "dicom-keys.def"), "w") as f:
        f.write("".join(defs))
    print("%d tags, %d UIDs, %d key attributes" % (len(tags), len(uids), len(KEYS)))


if __name__ == "__main__":
    main()
